"""Writing incidents: the scaffold for a new one, the starter kit and the document importer."""
