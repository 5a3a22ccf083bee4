from xl_tools.cli import main

raise SystemExit(main())
