import Testing
@testable import StrataCodec

