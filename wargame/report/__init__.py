"""Reports: tables, narratives and pictures built from scenarios and results."""
