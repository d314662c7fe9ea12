// API keys for the application's own customers.
import Crypto
