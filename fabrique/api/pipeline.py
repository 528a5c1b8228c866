fabrique_urlpatterns: list = []
