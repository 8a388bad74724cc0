"""The app's settings file (export dialogs start in the folder of the last export, across restarts) and Help > About."""

from __future__ import annotations

from inspector.gui.settings import Settings


def test_the_last_export_folder_is_remembered_across_restarts(tmp_path):
    path = tmp_path / "config" / "settings.json"
    out = tmp_path / "slides"
    out.mkdir()
    settings = Settings(path)
    assert settings.export_path("coffee-figure.png") == "coffee-figure.png"  # nothing exported yet
    settings.remember_export(str(out / "coffee-figure.png"))
    again = Settings(path)
    assert again.export_path("tench-figure.png") == str(out.resolve() / "tench-figure.png")
    again.remember_export(str(tmp_path), folder=True)
    assert Settings(path).export_path("") == str(tmp_path.resolve())


def test_a_vanished_or_foreign_export_folder_is_not_offered(tmp_path):
    path = tmp_path / "settings.json"
    gone = tmp_path / "gone"
    path.write_text(f'{{"recent": [], "export_folder": "{gone}"}}')
    assert Settings(path).export_path("a.png") == "a.png"
    path.write_text('{"recent": [], "export_folder": ["not", "a", "path"]}')
    settings = Settings(path)
    assert settings.export_folder is None and settings.export_path("a.png") == "a.png"


def test_about_names_the_version_the_model_cards_and_the_settings_file(tmp_path):
    from inspector import __version__
    from inspector.gui.about import about_html

    text = about_html(tmp_path / "settings.json")
    assert __version__ in text and str(tmp_path / "settings.json") in text
    assert 'mnist-standard.md">model card</a>' in text and "efficientnet-lite0" in text
    assert "no log file" in text and "inspector --debug gui" in text
