//! Every limit the receiver enforces, each with a sane default and each configurable.

/// A steady rate with a burst allowed at once (a token bucket, `receiver::rate`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

/// Limits on what a student may send. Defaults follow docs/PROTOCOL.md.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest single ZeroMQ frame (ZMQ_MAXMSGSIZE); a peer sending more is disconnected by libzmq.
    /// One message may hold at most twice this in all (`receiver::inbound`).
    pub max_frame: i64,
    /// Bytes libzmq may hold, for the whole process, of messages peers sent and the receiver
    /// has not read yet, unfinished ones included (`receiver::inbound`); a peer whose frame
    /// would pass it is disconnected. 0: no bound (libzmq's own behaviour).
    pub max_inbound: i64,
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
    /// Most pixels (width × height, from the header) a screenshot may declare. 40 MP covers an
    /// 8K screen (7680×4320 = 33 MP) and keeps one decoded RGBA8 image under 160 MiB.
    pub max_image_pixels: u64,
    /// Most bytes of metadata a screenshot may carry: PNG ancillary chunks (iCCP, zTXt, iTXt, …)
    /// and JPEG APPn/COM segments together. Decoders buffer and inflate them whole, so a 1 MiB
    /// compressed ICC profile cost half a gigabyte; a screenshot needs a few kilobytes.
    pub max_image_metadata: u64,
    /// Largest allocation one image decode may make (pixel buffer, inflated metadata). Two image
    /// threads decode at once, so decoding holds at most twice this: 320 MiB by default
    /// (`IMAGE_THREADS × max_image_alloc`, docs/SECURITY.md).
    pub max_image_alloc: u64,
    /// Student ids the store does not know yet, for the whole receiver: 120 at once (a class
    /// arriving; 120 covers the largest lab and a restart of every add-on), then one a second. Ids cost nothing, and each new one is a folder, a
    /// `student.json` and an index row (~14 kB; 306 a second were written in issue 12).
    pub new_students: Rate,
    /// Student ids the store does not know yet, per connection (`too_many_ids` past it): 3 at
    /// once, then 3 a minute. An add-on sends as one id per connection (a login change or a
    /// reconnect is a new connection), so this only stops one connection from spending the
    /// whole receiver's `new_students` budget. Per connection, not per address: a lab behind
    /// NAT is one address.
    pub new_ids_per_connection: Rate,
    /// Chats and hand changes of one student id: 20 at once, then 5 a second.
    pub chats_per_student: Rate,
    /// `rejected` lines journaled for one student id (each an fsynced line): 10 at once, then
    /// 2 a second; the rest are counted in memory (`Stats.rejected`) only.
    pub refusals_journaled_per_student: Rate,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame: 16 << 20,
            max_inbound: 256 << 20,
            max_header: 16 << 10,
            max_screenshot: 64 << 20,
            max_blend: 4 << 30,
            max_open_transfers_per_student: 4,
            max_open_transfers: 256,
            free_disk_floor: 1 << 30,
            max_image_side: 16_384,
            max_image_pixels: 40_000_000,
            max_image_metadata: 64 << 10,
            max_image_alloc: 160 << 20,
            new_students: Rate { per_second: 1.0, burst: 120.0 },
            new_ids_per_connection: Rate { per_second: 3.0 / 60.0, burst: 3.0 },
            chats_per_student: Rate { per_second: 5.0, burst: 20.0 },
            refusals_journaled_per_student: Rate { per_second: 2.0, burst: 10.0 },
        }
    }
}
