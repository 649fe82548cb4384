from tui_crm.cli import main

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
