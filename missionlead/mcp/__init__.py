"""The MCP (Model Context Protocol) server: an organisation's own AI assistant reads the
cascade, KPIs, risks, inbox and brief, and records check-ins, as the person whose API token it
holds, seeing exactly what that person sees (docs/mcp.md).

``tools`` does the work through the apps' selectors, services and permission module; ``server``
describes the tools for a model (the MCP SDK); ``views`` serves them at ``/mcp/``; the command
``mcp_stdio`` serves them to a desktop assistant over standard input and output.
"""
