"""``GET /api/v1/search/?q=`` — the global search, scoped like every read: hits grouped by kind."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.access import access_for
from clients.permissions import STAFF_AND_CLIENT

from ..selectors import KINDS, global_search


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    detail = serializers.CharField()


class SearchResultSerializer(serializers.Serializer):
    """One list per kind that has hits (kinds without hits are left out)."""

    clients = HitSerializer(many=True, required=False)
    projects = HitSerializer(many=True, required=False)
    devices = HitSerializer(many=True, required=False)
    submissions = HitSerializer(many=True, required=False)
    test_orders = HitSerializer(many=True, required=False)
    reports = HitSerializer(many=True, required=False)


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="Code, name or number (2+ characters).")],
        responses={200: SearchResultSerializer},
    )
    def get(self, request):
        if not access_for(request.user).effective_roles & STAFF_AND_CLIENT:
            return Response({"detail": "You do not have permission to perform this action.",
                             "code": "permission_denied"}, status=403)  # fmt: skip
        q = request.query_params.get("q", "")[:100]
        results = global_search(user=request.user, q=q)
        return Response({kind: HitSerializer(hits, many=True).data for kind, hits in results.items() if kind in KINDS})
