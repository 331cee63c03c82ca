import Testing
@testable import StrataIngest

