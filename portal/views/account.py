"""The client user's account: language, e-mail preference, password, calendar feed."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from accounts.services import user_ical_token_rotate
from notifications.services import notification_preferences_update, preferences_of

from ..forms import PreferencesForm
from .base import ClientRequiredMixin


class AccountView(ClientRequiredMixin, FormView):
    template_name = "portal/account.html"
    form_class = PreferencesForm

    def get_initial(self):
        return {"email": preferences_of(self.request.user.notification_preferences)[1]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        path = reverse("web:calendar-feed", kwargs={"token": self.request.user.ical_token})
        context["feed_url"] = self.request.build_absolute_uri(path)
        return context

    def form_valid(self, form):
        muted, _email = preferences_of(self.request.user.notification_preferences)
        notification_preferences_update(user=self.request.user, muted_kinds=sorted(muted),
                                        email=form.cleaned_data["email"])  # fmt: skip
        messages.success(self.request, _("Settings saved."))
        return redirect("portal:account")


class CalendarRotateView(ClientRequiredMixin, View):
    def post(self, request):
        user_ical_token_rotate(user=request.user)
        messages.success(request, _("A new calendar address was made; the old one no longer works."))
        return redirect("portal:account")


class PasswordChangeView(ClientRequiredMixin, auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class WelcomeView(TemplateView):
    """An invited contact sets a password from the e-mail's link (once, before it expires), then is signed in."""

    template_name = "portal/welcome.html"

    def invited(self):
        from django.utils.encoding import force_str
        from django.utils.http import urlsafe_base64_decode

        from accounts.models import User
        from clients.invitations import invitation_tokens

        try:
            user = User.objects.get(pk=force_str(urlsafe_base64_decode(self.kwargs["uidb64"])), is_active=True)
        except (User.DoesNotExist, ValueError, TypeError, OverflowError):
            return None
        return user if invitation_tokens.check_token(user, self.kwargs["token"]) else None

    def get(self, request, *args, **kwargs):
        user = self.invited()
        return self.render_to_response({"form": SetPasswordForm(user) if user else None, "invited": user},
                                       status=200 if user else 400)  # fmt: skip

    def post(self, request, *args, **kwargs):
        user = self.invited()
        if user is None:
            return self.render_to_response({"form": None, "invited": None}, status=400)
        form = SetPasswordForm(user, request.POST)
        if not form.is_valid():
            return self.render_to_response({"form": form, "invited": user}, status=400)
        form.save()
        login(request, user, backend="clients.backends.IdentityModelBackend")
        messages.success(request, _("Welcome! Your password is set."))
        return redirect("portal:home")
