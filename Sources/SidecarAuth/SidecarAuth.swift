// The auth family: built-in accounts, Auth0 and Clerk (one folder per vendor).
import JWTKit
import _CryptoExtras
