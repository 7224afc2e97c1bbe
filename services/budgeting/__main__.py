from services.budgeting.bootstrap import main

main()
