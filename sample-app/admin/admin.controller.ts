import { Controller, Delete, Param } from '@nestjs/common';
import { Roles } from '../../lib/index.js';
import { UsersService } from '../users/users.service.js';

/** The seed's API5 bug, fixed by one decorator: only admins may delete users. */
@Controller('admin')
@Roles('admin')
export class AdminController {
  constructor(private readonly users: UsersService) {}

  @Delete('delete-user/:id')
  deleteUser(@Param('id') id: string) {
    this.users.delete(id);
    return { deleted: id };
  }
}
