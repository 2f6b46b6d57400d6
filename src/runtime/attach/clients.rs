//! The monitor's attached clients. Each client gets every output message from
//! the moment it was accepted, through a queue of its own: sends never block,
//! and a client that falls more than [`QUEUE_LIMIT`] bytes behind is
//! disconnected. So a slow or stuck client costs at most that much memory and
//! never blocks the container or the log.

use std::collections::VecDeque;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::rc::Rc;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags};
use nix::sys::socket::{recv, send, MsgFlags};

use super::protocol::{decode_request, Request, EXIT, HELLO, MAX_PACKET};
use super::socket::accept_one;

/// How far (in queued bytes) a client may fall behind before it is dropped.
pub const QUEUE_LIMIT: usize = 8 << 20;

struct Client {
    fd: OwnedFd,
    queue: VecDeque<Rc<[u8]>>,
    queued: usize,
    closed: bool,
}

impl Client {
    fn push(&mut self, packet: &Rc<[u8]>) {
        if self.closed {
            return;
        }
        if self.queue.is_empty() && self.try_send(packet) {
            return;
        }
        self.queued += packet.len();
        self.queue.push_back(Rc::clone(packet));
        if self.queued > QUEUE_LIMIT {
            tracing::warn!("dropping an attached client {QUEUE_LIMIT} bytes behind");
            self.closed = true;
        }
    }

    /// Sends `packet` now; false when the socket is full (the client was
    /// marked closed on any other error).
    fn try_send(&mut self, packet: &[u8]) -> bool {
        let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL;
        match send(self.fd.as_raw_fd(), packet, flags) {
            Ok(_) => true,
            Err(Errno::EAGAIN) => false,
            Err(_) => {
                self.closed = true;
                true
            }
        }
    }

    fn flush(&mut self) {
        while let Some(packet) = self.queue.front().cloned() {
            if !self.try_send(&packet) {
                return;
            }
            self.queued -= packet.len();
            self.queue.pop_front();
            if self.closed {
                return;
            }
        }
    }

    /// Reads the client's pending requests into `handle`.
    fn read(&mut self, handle: &mut dyn FnMut(Request)) {
        let mut buf = [0u8; MAX_PACKET];
        loop {
            match recv(self.fd.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
                Ok(0) => {
                    self.closed = true;
                    return;
                }
                Ok(n) => {
                    if let Some(request) = decode_request(&buf[..n]) {
                        handle(request);
                    }
                }
                Err(Errno::EAGAIN) => return,
                Err(Errno::EINTR) => continue,
                Err(_) => {
                    self.closed = true;
                    return;
                }
            }
        }
    }
}

#[derive(Default)]
pub struct Clients {
    list: Vec<Client>,
}

impl Clients {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Accepts every waiting connection and greets it.
    pub fn accept(&mut self, listener: &OwnedFd) {
        while let Ok(Some(fd)) = accept_one(listener) {
            let mut client = Client {
                fd,
                queue: VecDeque::new(),
                queued: 0,
                closed: false,
            };
            client.push(&Rc::from(&[HELLO][..]));
            self.list.push(client);
        }
    }

    /// Sends `data` of stream `kind` to every client, in packets.
    pub fn broadcast(&mut self, kind: u8, data: &[u8]) {
        if self.list.is_empty() {
            return;
        }
        for chunk in data.chunks(MAX_PACKET - 1) {
            let mut packet = Vec::with_capacity(chunk.len() + 1);
            packet.push(kind);
            packet.extend_from_slice(chunk);
            let packet: Rc<[u8]> = packet.into();
            for client in &mut self.list {
                client.push(&packet);
            }
        }
        self.list.retain(|c| !c.closed);
    }

    /// Poll entries for the clients: readable when `reading`, writable while
    /// a queue is not empty. Same order as [`Clients::service`] expects.
    pub fn poll_fds(&self, reading: bool) -> Vec<PollFd<'_>> {
        self.list
            .iter()
            .map(|c| {
                let mut flags = PollFlags::empty();
                if reading {
                    flags |= PollFlags::POLLIN;
                }
                if !c.queue.is_empty() {
                    flags |= PollFlags::POLLOUT;
                }
                PollFd::new(c.fd.as_fd(), flags)
            })
            .collect()
    }

    /// Handles what poll reported for each client (`revents` in the order of
    /// [`Clients::poll_fds`]), passing requests to `handle`.
    pub fn service(&mut self, revents: &[PollFlags], handle: &mut dyn FnMut(Request)) {
        for (client, events) in self.list.iter_mut().zip(revents) {
            if events.contains(PollFlags::POLLOUT) {
                client.flush();
            }
            if events.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
                client.read(handle);
            }
        }
        self.list.retain(|c| !c.closed);
    }

    /// Clients handed over from another image of the monitor (their queues
    /// were flushed before the handoff).
    pub fn adopt(fds: Vec<OwnedFd>) -> Clients {
        Clients {
            list: fds
                .into_iter()
                .map(|fd| Client {
                    fd,
                    queue: VecDeque::new(),
                    queued: 0,
                    closed: false,
                })
                .collect(),
        }
    }

    /// The clients' sockets, for a handoff.
    pub fn into_fds(self) -> Vec<OwnedFd> {
        self.list.into_iter().map(|c| c.fd).collect()
    }

    /// Tells every client the exit code and gives them until `deadline` to
    /// take what is queued.
    pub fn finish(&mut self, code: u8, deadline: std::time::Instant) {
        let packet: Rc<[u8]> = Rc::from(&[EXIT, code][..]);
        for client in &mut self.list {
            client.push(&packet);
        }
        self.flush(deadline);
    }

    /// Gives the clients until `deadline` to take what is queued; those that
    /// do not are dropped.
    pub fn flush(&mut self, deadline: std::time::Instant) {
        loop {
            if self.list.iter().all(|c| c.closed || c.queue.is_empty()) {
                self.list.retain(|c| !c.closed);
                return;
            }
            self.list.retain(|c| !c.closed);
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                self.list.retain(|c| c.queue.is_empty());
                return;
            }
            let mut fds = self.poll_fds(false);
            let timeout =
                nix::poll::PollTimeout::try_from(left).unwrap_or(nix::poll::PollTimeout::MAX);
            if nix::poll::poll(&mut fds, timeout).is_err() {
                return;
            }
            let revents: Vec<PollFlags> = fds
                .iter()
                .map(|f| f.revents().unwrap_or(PollFlags::empty()))
                .collect();
            drop(fds);
            self.service(&revents, &mut |_| {});
        }
    }
}
