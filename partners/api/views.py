"""Who am I: the signed-in user and the roles in effect today (what the pages show on every page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.selectors import user_roles


class MembershipRefSerializer(serializers.Serializer):
    role = serializers.CharField()
    organisation = serializers.IntegerField(allow_null=True)
    organisation_name = serializers.CharField(allow_null=True)
    branch = serializers.CharField(allow_null=True, help_text="IFSC, for a bank officer.")
    enterprise = serializers.IntegerField(allow_null=True, help_text="The unit, for an owner.")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_superuser = serializers.BooleanField()
    roles = MembershipRefSerializer(many=True)


@extend_schema(tags=["me"], responses={200: MeSerializer})
class MeApi(APIView):
    def get(self, request):
        user = request.user
        roles = [
            {
                "role": m.role,
                "organisation": m.organisation_id,
                "organisation_name": m.organisation.name if m.organisation else None,
                "branch": m.branch.ifsc if m.branch else None,
                "enterprise": m.enterprise_id,
            }
            for m in user_roles(user)
        ]
        return Response(
            {"id": user.pk, "username": user.get_username(), "is_superuser": user.is_superuser, "roles": roles}
        )
