/*
    Pracownia patch (not part of libzmq): a budget, for the whole process,
    on what libzmq holds of what peers sent. Defined in pipe.cpp; see
    crates/zeromq-src/README.md.
*/

#ifndef __ZMQ_INBOUND_BUDGET_HPP_INCLUDED__
#define __ZMQ_INBOUND_BUDGET_HPP_INCLUDED__

#include <stddef.h>
#include "stdint.hpp"

namespace zmq
{
//  What a frame of size_ bytes costs while queued: small frames can keep a
//  decoder's whole 8 KiB batch buffer alive, every frame has its msg_t.
int64_t inbound_frame_cost (size_t size_);

//  Reserves bytes_ for a frame the decoder is reading. False (counted as a
//  refusal) when the budget is on and would be passed; always true when off.
bool inbound_reserve (int64_t bytes_);
void inbound_release (int64_t bytes_);

//  True when a budget is set.
bool inbound_budget_on ();
}

#endif
