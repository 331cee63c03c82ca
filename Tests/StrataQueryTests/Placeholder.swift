import Testing
@testable import StrataQuery

