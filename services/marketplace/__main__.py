from services.marketplace.bootstrap import main

main()
