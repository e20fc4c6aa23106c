-- A supervisor moves a conversation an agent holds (offered or accepted), whatever the
-- holder's state (online, away, gone with their console), to another agent who serves it
-- (online, with room, speaking the customer's language and with its skill, or the
-- customer's relationship manager), who is offered it; or back to the queue at its old
-- place (score and wait kept), no longer reserved for a relationship manager it was taken
-- from. The customer's unread messages go with it to the new holder.
-- ARGV: prefix, conversation id, target agent ('' for the queue), now (ms).
-- Returns {outcome, previous holder, the status it had}.
local prefix, cid, target, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local conv = prefix .. 'conv:' .. cid
local c = redis.call('HMGET', conv, 'status', 'agent', 'score', 'language', 'skill', 'rm')
if not c[1] then return {'no_conversation', '', ''} end
local from, had = c[2] or '', c[1]
if (had ~= 'assigned' and had ~= 'active') or from == '' then return {'not_held', '', had} end
local function listed(csv, value)
  return string.find(',' .. (csv or '') .. ',', ',' .. (value or '') .. ',', 1, true) ~= nil
end
if target ~= '' then
  if target == from then return {'already_theirs', from, had} end
  if redis.call('SISMEMBER', prefix .. 'agents:online', target) == 0 then
    return {'target_not_online', from, had}
  end
  local t = redis.call('HMGET', prefix .. 'agent:' .. target, 'max_chats', 'active', 'languages',
                       'skills')
  if (tonumber(t[2]) or 0) >= (tonumber(t[1]) or 0) then return {'target_at_capacity', from, had} end
  if target ~= (c[6] or '') then
    if not listed(t[3], c[4]) then return {'target_language', from, had} end
    if not listed(t[4], c[5]) then return {'target_skill', from, had} end
  end
end
local holder = prefix .. 'agent:' .. from
redis.call('SREM', holder .. ':chats', cid)
if tonumber(redis.call('HINCRBY', holder, 'active', -1)) < 0 then
  redis.call('HSET', holder, 'active', 0)
end
local unread = tonumber(redis.call('HGET', holder .. ':unread', cid)) or 0
redis.call('HDEL', holder .. ':unread', cid)
-- Chosen by a supervisor, not by overflow.
redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
if target ~= '' then
  local agent = prefix .. 'agent:' .. target
  redis.call('SADD', agent .. ':chats', cid)
  redis.call('HINCRBY', agent, 'active', 1)
  if unread > 0 then redis.call('HINCRBY', agent .. ':unread', cid, unread) end
  redis.call('HSET', conv, 'status', 'assigned', 'agent', target, 'assigned_at', now,
             'reassigned_from', from, 'reassigned_at', now)
  return {'reassigned', from, had}
end
-- enqueued_at stays: the customer has been waiting all along.
redis.call('HSET', conv, 'status', 'queued', 'agent', '', 'reassigned_from', from,
           'reassigned_at', now)
if c[6] == from then redis.call('HSET', conv, 'rm', '') end
redis.call('ZADD', prefix .. 'queue', c[3], cid)
return {'queued', from, had}
