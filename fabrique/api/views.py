urlpatterns: list = []
fabrique_urlpatterns: list = []
