"""How the OpenAPI schema names its components: one component per meaning.

Every API view nests its own `InputSerializer` / `OutputSerializer`; drf-spectacular would name
all of them "Input" and "Output", so the request bodies of different endpoints collided into one
component. Here a nested serializer is named after the view it belongs to (`ClientListApi.
InputSerializer` -> `ClientListInput`); a serializer defined at module level keeps its own name, as
it is shared on purpose (`ClientOutput` for the list and the detail).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema


def component_name_for(serializer_class: type) -> str | None:
    """`<View minus Api><Serializer minus Serializer>` for a serializer nested in a view, else
    None (drf-spectacular's own name)."""
    owner, _, own = serializer_class.__qualname__.rpartition(".")
    if not owner or "<locals>" in owner:
        return None
    owner = owner.rsplit(".", 1)[-1].removesuffix("Api").removesuffix("View")
    return owner + own.removesuffix("Serializer")


class AdwrightAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        return component_name_for(type(serializer)) or super().get_serializer_name(
            serializer, direction)
