#pragma once

#include "engine/Request.h"
#include "engine/Response.h"

#include <QFuture>

namespace gk {

// What the HTTP layer hands requests to. The Engine is the real one; HTTP-level tests may use their own.
// handle() may be called from any thread; the future may be fulfilled on any thread.
class RequestHandler
{
public:
    virtual ~RequestHandler() = default;
    virtual QFuture<Response> handle(Request request) = 0;
};

} // namespace gk
