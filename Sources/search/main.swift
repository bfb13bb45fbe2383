import Foundation
import SearchCLI

exit(SearchCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
