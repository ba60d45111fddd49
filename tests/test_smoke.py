def test_settings_load(settings):
    assert settings.GRAPH_API_VERSION == "v25.0"
