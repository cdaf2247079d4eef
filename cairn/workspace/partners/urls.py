"""Partners (mounted at /staff/partners/): the directory, referring from a case, and the partner
portal. Names live in the "workspace" namespace, prefixed "partners_"."""

from django.urls import path

from cairn.workspace.partners import refer_views, views

urlpatterns = [
    path("", refer_views.directory_page, name="partners_directory"),
    path("refer/<str:case_reference>/", refer_views.refer, name="partners_refer"),
    path("referrals/", views.referral_list, name="partners_referrals"),
    path("referrals/<str:reference>/", views.referral_page, name="partners_referral"),
    path("referrals/<str:reference>/accept/", views.accept, name="partners_accept"),
    path("referrals/<str:reference>/decline/", views.decline, name="partners_decline"),
    path("referrals/<str:reference>/outcome/", views.outcome, name="partners_outcome"),
    path("referrals/<str:reference>/withdraw/", views.withdraw, name="partners_withdraw"),
]
