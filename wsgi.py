"""The one entry point for servers and `flask --app wsgi`."""
from community import create_app

app = create_app()
