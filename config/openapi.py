"""OpenAPI links a client follows from one app's operation to another's.

`operation_links` is registered in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"];
it lives here, above the apps, because a link may join two of them.
"""

# (path, method) of the producer -> {link name: (operationId of the target,
# parameters)}.
LINKS = {
    ("/api/v1/orders/", "post"): {
        "CancelOrder": ("v1_orders_cancel_create", {"id": "$response.body#/id"}),
        "GetOrder": ("v1_orders_retrieve", {"id": "$response.body#/id"}),
    },
    ("/api/v1/returns/", "post"): {
        "GetReturnStatus": ("v1_returns_retrieve", {"id": "$response.body#/id"}),
    },
}


def operation_links(result, generator, request, public):
    """OpenAPI links: created order -> cancel / read; created return -> read."""
    paths = result.get("paths", {})
    for (path, method), links in LINKS.items():
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        for status in ("200", "201"):
            response = operation.get("responses", {}).get(status)
            if response is None:
                continue
            response["links"] = {
                name: {"operationId": operation_id, "parameters": parameters}
                for name, (operation_id, parameters) in links.items()
            }
    return result
