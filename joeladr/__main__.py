from joeladr.cli import main

main()
