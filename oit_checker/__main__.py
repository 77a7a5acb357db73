"""`python -m oit_checker ...` is the `oit` command (how `oit serve` starts each audit)."""

from oit_checker.cli import main

main()
