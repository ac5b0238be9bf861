"""consultation preparation

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 01:30:00.000000

A consultation's materials, its research tasks and the draft report's comments. Each
meeting's former single materials file becomes its first material; the old columns stay
(the meeting form still fills them), so a downgrade loses only the added materials.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meeting_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('file_key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_staff_id'], ['staff.id'], name=op.f('fk_meeting_material_added_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_key'], ['stored_file.key'], name=op.f('fk_meeting_material_file_key_stored_file')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_material_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_material'))
    )
    with op.batch_alter_table('meeting_material', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_material_meeting', ['meeting_id', 'position'], unique=False)

    op.create_table('research_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('guest_id', sa.Integer(), nullable=True),
    sa.Column('assignee_text', sa.String(length=80), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff.id'], name=op.f('fk_research_task_created_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guest_id'], ['meeting_guest.id'], name=op.f('fk_research_task_guest_id_meeting_guest'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_research_task_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_research_task_member_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_task'))
    )
    with op.batch_alter_table('research_task', schema=None) as batch_op:
        batch_op.create_index('ix_research_task_meeting', ['meeting_id', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_research_task_member_id'), ['member_id'], unique=False)

    op.create_table('draft_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_key', sa.String(length=80), nullable=True),
    sa.Column('file_name', sa.String(length=120), nullable=True),
    sa.Column('comments_until', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff.id'], name=op.f('fk_draft_report_created_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_key'], ['stored_file.key'], name=op.f('fk_draft_report_file_key_stored_file')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_draft_report_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_report')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_draft_report_meeting_id'))
    )
    op.create_table('draft_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('guest_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_report.id'], name=op.f('fk_draft_comment_draft_id_draft_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guest_id'], ['meeting_guest.id'], name=op.f('fk_draft_comment_guest_id_meeting_guest'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_draft_comment_member_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_comment'))
    )
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.create_index('ix_draft_comment_draft', ['draft_id', 'created_at'], unique=False)

    # A meeting's single materials file becomes its first material (when the file is kept).
    op.execute(
        "INSERT INTO meeting_material (meeting_id, file_key, name, position, added_by_staff_id, created_at) "
        "SELECT meeting.id, meeting.materials_file, "
        "COALESCE(meeting.materials_name, stored_file.name), 0, "
        "meeting.created_by_staff_id, meeting.created_at "
        "FROM meeting JOIN stored_file ON stored_file.key = meeting.materials_file"
    )


def downgrade() -> None:
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_draft_comment_draft')

    op.drop_table('draft_comment')
    op.drop_table('draft_report')
    with op.batch_alter_table('research_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_research_task_member_id'))
        batch_op.drop_index('ix_research_task_meeting')

    op.drop_table('research_task')
    with op.batch_alter_table('meeting_material', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_material_meeting')

    op.drop_table('meeting_material')
