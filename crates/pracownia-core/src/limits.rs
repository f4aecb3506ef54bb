//! Every limit the receiver enforces, each with a sane default and each configurable.

/// Limits on what a student may send. Defaults follow docs/PROTOCOL.md.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest single ZeroMQ frame (ZMQ_MAXMSGSIZE); a peer sending more is disconnected by libzmq.
    pub max_frame: i64,
    pub max_header: usize,
    pub max_screenshot: u64,
    pub max_blend: u64,
    pub max_open_transfers_per_student: usize,
    /// Open transfers of all students together (`receiver_busy` past it). Each holds its staging
    /// file open and ids cost nothing, so without a global bound made-up ids exhaust the
    /// process's open-file limit (1024 on many desktops) and real students can no longer connect.
    pub max_open_transfers: usize,
    /// New files are refused when the store's free space would fall under this.
    pub free_disk_floor: u64,
    /// Largest screenshot dimension (either side) we are willing to decode.
    pub max_image_side: u32,
    /// Largest allocation the image decoder may make, against decompression bombs.
    pub max_image_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame: 16 << 20,
            max_header: 16 << 10,
            max_screenshot: 64 << 20,
            max_blend: 4 << 30,
            max_open_transfers_per_student: 4,
            max_open_transfers: 256,
            free_disk_floor: 1 << 30,
            max_image_side: 16_384,
            max_image_alloc: 512 << 20,
        }
    }
}
