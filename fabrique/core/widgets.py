"""Form widgets shared by the interfaces."""

from django import forms


class PrivateFileInput(forms.ClearableFileInput):
    """A clearable file input for files in the private storage: it says a file is there, never links it
    (private files have no URL; they are served by access-checked views)."""

    template_name = "fabrique/widgets/private_file_input.html"

    def is_initial(self, value: object) -> bool:
        return bool(value and getattr(value, "name", None))
