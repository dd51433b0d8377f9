"""API plumbing shared by every app: pagination, error format (the API's 404 too), the
fields and documented refusals of write bodies, the v1 router."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Turn a service's Django ValidationError into a 400 with its messages, never a 500."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    return drf_exception_handler(exc, context)


def service_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A write service's refusal as the API's 400: its messages by field, or its message and
    its code (clients branch on the code, e.g. "taken"; people read the message)."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"detail": error.messages, "code": error.code})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404. An address under /api/ that no route matches (an id the route's pattern
    refuses, /api/v1/referrals/abc/) answers as the API's own 404 does, in JSON: a client
    reads every refusal the same way. Pages keep the HTML error page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)


class RecordIdField(serializers.IntegerField):
    """The id of a record named in a write's body. Bounded to the ids the database can hold
    (BigAutoField): a larger number would overflow the query (a 500) instead of not being
    found."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class CodeField(serializers.SlugRelatedField):
    """A reference record (a need category, an agency) named by its code in a write's body;
    an unknown code is refused in the caller's language (DRF's own message is English only)."""

    default_error_messages = {
        **serializers.SlugRelatedField.default_error_messages,
        "does_not_exist": _("Unknown code “{value}”."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        # No code holds a NUL byte, and PostgreSQL refuses to compare text with one (a 500).
        if "\x00" in str(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return super().to_internal_value(data)


# The refusals every write action documents beside its answer (@extend_schema(responses=...)),
# so that a client built from the schema knows them. Each is a JSON object: a field's name (or
# "detail") with its messages, and "code" where a service refused.
WRITE_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: the messages per field"),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="The caller's role may not do this"),
    404: OpenApiResponse(
        OpenApiTypes.OBJECT, description="A record named does not exist or is outside the scope"
    ),
}

router = DefaultRouter()


class ModelPermission(permissions.DjangoModelPermissions):
    """The API's one permission base: the model's Django permissions, and reads need the
    model's view permission too, so aggregate-only roles get 403 on lists. The apps' scoped
    variant (personal data) is households.api.PersonalDataPermission."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
