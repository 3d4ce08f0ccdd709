"""The MkDocs side: page Markdown, URLs, templates, assets, the plugin, its config and macros."""
