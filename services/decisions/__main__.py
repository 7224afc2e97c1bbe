from services.decisions.bootstrap import main

main()
