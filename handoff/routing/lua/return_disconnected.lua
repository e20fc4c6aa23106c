-- Give back to the queue the conversations still held by agents whose shift ended with a
-- lost console (end_shifts.lua lists them in agents:disconnected, scored by when) and who
-- have not come back for the wait since: each at its old place (score and wait kept), so
-- that the next available agent takes the customer.
-- Atomic with the agent's return (presence.lua takes them off the list: nothing returned)
-- and with a supervisor's reassignment (only what the agent still holds goes back).
-- ARGV: prefix, now (ms), wait (ms). Returns one entry per conversation returned:
-- {conversation, agent, the status it had, console last seen (ms)}.
local prefix, now, wait = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local disconnected = prefix .. 'agents:disconnected'
local returned = {}
local due = redis.call('ZRANGEBYSCORE', disconnected, '-inf', now - wait)
for _, aid in ipairs(due) do
  local agent = prefix .. 'agent:' .. aid
  local chats = agent .. ':chats'
  local last_seen = redis.call('HGET', agent, 'disconnected_at')
  -- Listed, yet back on shift: presence.lua unlists them; never take their customers.
  if last_seen and redis.call('SISMEMBER', prefix .. 'agents:on_shift', aid) == 0 then
    local held = redis.call('SMEMBERS', chats)
    table.sort(held)
    for _, cid in ipairs(held) do
      local conv = prefix .. 'conv:' .. cid
      local c = redis.call('HMGET', conv, 'status', 'agent', 'score')
      if (c[1] == 'active' or c[1] == 'assigned') and c[2] == aid then
        redis.call('SREM', chats, cid)
        redis.call('HDEL', agent .. ':unread', cid)
        redis.call('HSET', conv, 'status', 'queued', 'agent', '', 'returned_from', aid,
                   'returned_at', now)
        redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
        redis.call('ZADD', prefix .. 'queue', c[3], cid)
        returned[#returned + 1] = {cid, aid, c[1], tonumber(last_seen)}
      end
    end
    redis.call('HSET', agent, 'active', redis.call('SCARD', chats))
  end
  redis.call('ZREM', disconnected, aid)
end
return returned
