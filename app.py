from coordinator import create_app

app = create_app()
