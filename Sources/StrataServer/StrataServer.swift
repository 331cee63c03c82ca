// The HTTP server (issue #3).
import Hummingbird
