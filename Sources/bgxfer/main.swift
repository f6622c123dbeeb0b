import BgxferCLI

Entry.main()
