/// A resumable upload's state that the store keeps, so that any later attempt, worker or
/// `resume` continues it.
struct UploadCheckpoint: Equatable {
    /// The upload resource; nil: there is none (yet, or any more: the server forgot it).
    var uploadURL: String?
    /// Bytes the server has confirmed holding.
    var offset: Int64
    /// Why bytes the server held were given up, when they were.
    var restartNote: String?
}
