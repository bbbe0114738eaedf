"""The client's integrations (client users manage their own client's webhooks): webhooks — create, edit,
rotate the secret, see deliveries, re-send — and personal API tokens (created and shown once, listed, revoked)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from accounts.selectors import api_token_list
from accounts.services import api_token_create, api_token_revoke
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.throttles import TOKENS, WEBHOOK_RESENDS, rate_limited
from notifications.selectors import webhook_delivery_list, webhook_list
from notifications.services import (
    webhook_create,
    webhook_delete,
    webhook_delivery_resend,
    webhook_rotate_secret,
    webhook_update,
)

from ..forms import WebhookForm
from .base import ClientRequiredMixin


class IntegrationsView(ClientRequiredMixin, TemplateView):
    template_name = "portal/integrations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            webhooks=webhook_list(user=user).order_by("name", "id"),
            tokens=api_token_list(user=user),
            form=kwargs.get("form") or WebhookForm(initial={"active": True, "events": ["*"]}),
            new_token=self.request.session.pop("portal_new_token", None),
        )
        return context

    def post(self, request):
        """A new webhook."""
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                hook = webhook_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Webhook created. Its signing secret is shown on its page."))
                return redirect("portal:webhook", pk=hook.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WebhookView(ClientRequiredMixin, TemplateView):
    template_name = "portal/webhook.html"

    def webhook(self):
        return get_object_or_404(webhook_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hook = kwargs.get("webhook") or self.webhook()
        initial = {"name": hook.name, "url": hook.url, "events": hook.events, "active": hook.active}
        context.update(
            webhook=hook,
            form=kwargs.get("form") or WebhookForm(initial=initial),
            deliveries=webhook_delivery_list(user=self.request.user).filter(webhook=hook).order_by("-id")[:20],
        )
        return context

    def post(self, request, pk: int):
        hook = self.webhook()
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                webhook_update(webhook=hook, actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("portal:webhook", pk=hook.pk)
        return self.render_to_response(self.get_context_data(webhook=hook, form=form), status=400)


class WebhookRotateView(ClientRequiredMixin, View):
    def post(self, request, pk: int):
        hook = get_object_or_404(webhook_list(user=request.user), pk=pk)
        webhook_rotate_secret(webhook=hook, actor=request.user)
        messages.success(request, _("New signing secret made: update your receiver; the old one no longer signs."))
        return redirect("portal:webhook", pk=hook.pk)


class WebhookDeleteView(ClientRequiredMixin, View):
    def post(self, request, pk: int):
        hook = get_object_or_404(webhook_list(user=request.user), pk=pk)
        webhook_delete(webhook=hook, actor=request.user)
        messages.success(request, _("Webhook deleted."))
        return redirect("portal:integrations")


class DeliveryResendView(ClientRequiredMixin, View):
    @rate_limited(WEBHOOK_RESENDS)
    def post(self, request, pk: int):
        delivery = get_object_or_404(webhook_delivery_list(user=request.user), pk=pk)
        try:
            webhook_delivery_resend(delivery=delivery, actor=request.user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The event will be sent again."))
        return redirect(reverse("portal:webhook", args=[delivery.webhook_id]) + "#deliveries")


class TokenCreateView(ClientRequiredMixin, View):
    @rate_limited(TOKENS)
    def post(self, request):
        request.session["portal_new_token"] = api_token_create(user=request.user)  # shown once, on the next page
        return redirect(reverse("portal:integrations") + "#tokens")


class TokenRevokeView(ClientRequiredMixin, View):
    def post(self, request, key: str):
        token = get_object_or_404(api_token_list(user=request.user), token_key=key)
        api_token_revoke(token=token)
        messages.success(request, _("Token revoked: it no longer works."))
        return redirect(reverse("portal:integrations") + "#tokens")
