"""The test suite; a package so that helpers are imported as ``tests.<module>`` from any entry point."""
