import Testing
@testable import StrataStorage

