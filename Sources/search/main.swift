import SearchCLI

SearchCommand.main()
