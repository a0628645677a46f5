import sys

from carapp.cli import main

sys.exit(main())
