from django.apps import AppConfig


class McpConfig(AppConfig):
    """No models: installed for its management command (``mcp_stdio``)."""

    name = "missionlead.mcp"
    label = "mcp"
    verbose_name = "Assistants (MCP)"
