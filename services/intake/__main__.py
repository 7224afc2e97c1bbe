from services.intake.bootstrap import main

main()
