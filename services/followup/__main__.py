from services.followup.bootstrap import main

main()
