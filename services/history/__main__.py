from services.history.bootstrap import main

main()
