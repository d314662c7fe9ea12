/// The daemon's release version.
public enum SidecarVersion {
    public static let current = "0.1.0"
}
