app_name = "inbound"
urlpatterns: list = []
