#!/usr/bin/env python
"""Smoke-crawl the running database: follow every link from the home pages as one user and report
non-200 answers. Usage: FABRIQUE_VAR_DIR=... python scripts/crawl.py admin@nantes.demo [max_pages]"""

import os
import re
import sys
from collections import deque

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabrique.settings.base")
import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from fabrique.accounts.models import User  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
email = sys.argv[1] if len(sys.argv) > 1 else "admin@nantes.demo"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 600
client = Client()
if email != "anonymous":
    client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
seen, queue, bad = set(), deque(["/", "/espace/"]), []
skip = re.compile(r"(deconnexion|/admin-technique/|\.pdf$|export|document|/media/|logout)")
while queue and len(seen) < limit:
    url = queue.popleft()
    if url in seen:
        continue
    seen.add(url)
    response = client.get(url, follow=False)
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/") and location not in seen:
            queue.append(location)
        continue
    if response.status_code != 200:
        bad.append((response.status_code, url))
        continue
    if "text/html" not in response.get("Content-Type", ""):
        continue
    for link in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
        link = link.replace("&amp;", "&")
        if not skip.search(link) and link not in seen and "static/" not in link:
            queue.append(link)
print(f"{len(seen)} pages visited as {email}; {len(bad)} problems")
for status, url in bad:
    print(status, url)
